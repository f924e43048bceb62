// webpack's asset/source rule (webpack.config.js, workbench build) imports stylesheets as text.
declare module "*.css" {
  const stylesheet: string;
  export default stylesheet;
}
