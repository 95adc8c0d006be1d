/** Vite `?raw` imports (the file's text), used by tests that read configuration such as wrangler.toml. */
declare module '*?raw' {
  const text: string;
  export default text;
}
