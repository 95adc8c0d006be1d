/** Test helpers: call the worker over HTTP, build deps, create accounts and rows in known states, wait for conditions. */
export * from './accounts';
export * from './context';
export * from './email';
export * from './google';
export * from './http';
export * from './until';
export * from './rows';
