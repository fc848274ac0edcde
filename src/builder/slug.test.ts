import { describe, expect, it } from '@jest/globals';
import { partFilter, restFilter } from './slug.js';

describe('the slug\'s parts', () => {
  const paths = ['.heroku', '.heroku/node', '.heroku/node/bin/node', '.heroku/python', '.heroku/python/bin', '.heroku/other', 'node_modules', 'node_modules/ms', 'node_modules.txt', 'server.js'];

  it('a part holds its folder, what is in it, and the folders it is in', () => {
    expect(paths.filter(partFilter('.heroku/node'))).toEqual(['.heroku', '.heroku/node', '.heroku/node/bin/node']);
    expect(paths.filter(partFilter('node_modules'))).toEqual(['node_modules', 'node_modules/ms']);
  });

  it('the rest holds everything else, so the layers together hold the whole tree', () => {
    expect(paths.filter(restFilter(['.heroku/node', 'node_modules']))).toEqual(['.heroku', '.heroku/python', '.heroku/python/bin', '.heroku/other', 'node_modules.txt', 'server.js']);
  });
});
