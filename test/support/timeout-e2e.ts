import { jest } from '@jest/globals';

// On a real node a test pushes, builds and rolls dynos out, often several times: minutes, not seconds.
jest.setTimeout(300_000);
