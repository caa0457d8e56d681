// The `express4` dev dependency is Express 4 installed under another name (npm:express@^4), so the
// adapter's tests run on both majors. It has no types of its own; its API as these tests use it
// (express(), app.all/use/post/listen, express.json/urlencoded/raw/Router) is Express 5's.
declare module 'express4' {
  import express from 'express';
  export default express;
}
