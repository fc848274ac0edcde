import { jest } from '@jest/globals';

// Integration tests wait on a real control plane: rollouts and Jobs take seconds, not milliseconds.
jest.setTimeout(120_000);
