// kubectl dyno's version, as --version prints it: package.json's (a unit test keeps them equal),
// held here so neither the bundle nor the installed copy reads a file to answer.
export const VERSION = '0.1.0';
