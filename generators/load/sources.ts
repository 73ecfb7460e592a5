/** Input files by path relative to the project root, with forward slashes: what loading starts from (the workspace reads them). */
export type SourceSet = Map<string, string>;
