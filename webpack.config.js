/* eslint-disable no-undef */
// Two builds from one file, as in the yo office templates:
// - the add-in (dist/): functions.js + functions.json, the shared-runtime page taskpane.html,
//   assets and the manifest. This is what gets deployed.
// - the workbench (dist-workbench/): a dev/test page that hosts the add-in's functions.js in a
//   stand-in for Excel's custom-functions host. It is never deployed and never imported by src/.

const devCerts = require("office-addin-dev-certs");
const CopyWebpackPlugin = require("copy-webpack-plugin");
const CustomFunctionsMetadataPlugin = require("custom-functions-metadata-plugin");
const HtmlWebpackPlugin = require("html-webpack-plugin");
const path = require("path");
const webpack = require("webpack");

const urlDev = "https://localhost:3000/";
// Where the production build is hosted: every dev URL in the manifest is rewritten to it.
const urlProd = process.env.GEOBATCH_URL || "https://geobatch.example.com/";
const devServerPort = Number(process.env.npm_package_config_dev_server_port || 3000);
// The dev server proxies /emulator to the Geoapify emulator that `npm start` launches.
const emulatorTarget = process.env.GEOBATCH_EMULATOR_TARGET || "http://127.0.0.1:3001";

async function httpsOptions() {
  try {
    return await devCerts.getHttpsServerOptions();
  } catch {
    // Certificates could not be made or trusted (no CA install without elevation): the
    // workbench still works over plain HTTP on localhost; sideloading into Excel needs HTTPS.
    return undefined;
  }
}

const typescriptRule = {
  test: /\.ts$/,
  exclude: /node_modules/,
  // Type checking is `npm run typecheck`; the bundle build only transpiles.
  use: { loader: "ts-loader", options: { transpileOnly: true } },
};

module.exports = async (env, options) => {
  const dev = options.mode === "development";
  // `npm start` already knows whether certificates work (GEOBATCH_DEV_HTTPS); a bare
  // `npm run dev-server` finds out here.
  const wantHttps = env.WEBPACK_SERVE && process.env.GEOBATCH_DEV_HTTPS !== "0";
  const https = wantHttps ? await httpsOptions() : undefined;
  const define = new webpack.DefinePlugin({
    // Dev builds fall back to the embedded emulator when no API key is saved; production
    // builds never do, so a deployed add-in cannot silently answer with emulated data.
    GEOBATCH_EMULATOR_PATH: JSON.stringify(dev ? "/emulator" : ""),
  });

  const addin = {
    name: "addin",
    devtool: "source-map",
    entry: {
      functions: "./src/functions/functions.ts",
      // The task pane shares the functions bundle's module instances (one batcher, one cache,
      // one settings store per runtime): that is what the shared runtime is for.
      taskpane: { import: "./src/taskpane/taskpane.ts", dependOn: "functions" },
    },
    output: { path: path.resolve(__dirname, "dist"), clean: true },
    resolve: { extensions: [".ts", ".js"] },
    module: { rules: [typescriptRule] },
    optimization: {
      splitChunks: {
        cacheGroups: {
          // The Geoapify client (the wire, jobs, the request scheduler, the job store) is a
          // second initial chunk of the functions entry: taskpane.html gets a script tag for it
          // beside functions.js, so both download at once and the entry runs when both are in.
          geoapify: {
            test: /[\\/]src[\\/]geoapify[\\/]/,
            chunks: (chunk) => chunk.name === "functions",
            name: "geoapify",
            enforce: true,
          },
        },
      },
    },
    plugins: [
      define,
      new CustomFunctionsMetadataPlugin({
        output: "functions.json",
        input: "./src/functions/functions.ts",
      }),
      new HtmlWebpackPlugin({
        filename: "taskpane.html",
        template: "./src/taskpane/taskpane.html",
        chunks: ["functions", "taskpane"],
      }),
      new CopyWebpackPlugin({
        patterns: [
          { from: "assets/*", to: "assets/[name][ext]" },
          {
            from: "manifest*.xml",
            to: "[name][ext]",
            transform(content) {
              return dev ? content : content.toString().replaceAll(urlDev, urlProd);
            },
          },
        ],
      }),
    ],
    devServer: {
      port: devServerPort,
      server: https ? { type: "https", options: https } : "http",
      headers: { "Access-Control-Allow-Origin": "*" },
      static: [
        // office.js for the workbench, from the npm package: the CDN may be out of reach.
        {
          directory: path.resolve(__dirname, "node_modules/@microsoft/office-js/dist"),
          publicPath: "/office-js",
          watch: false,
        },
      ],
      proxy: [
        {
          context: ["/emulator"],
          target: emulatorTarget,
          pathRewrite: { "^/emulator": "" },
        },
      ],
      client: { overlay: { warnings: false } },
      // `npm start -- --gateway`: settings the workbench applies when no key is saved.
      setupMiddlewares(middlewares, devServer) {
        const preset = process.env.GEOBATCH_DEV_PRESET;
        if (preset) {
          devServer.app.get("/dev-preset.json", (_request, response) => {
            response.type("json").send(preset);
          });
        }
        return middlewares;
      },
    },
  };

  const workbench = {
    name: "workbench",
    devtool: "source-map",
    entry: { workbench: "./src/dev/workbench/workbench.ts" },
    output: { path: path.resolve(__dirname, "dist-workbench"), clean: true },
    resolve: { extensions: [".ts", ".js"] },
    module: { rules: [typescriptRule, { test: /\.css$/, type: "asset/source" }] },
    plugins: [
      define,
      new HtmlWebpackPlugin({
        filename: "workbench.html",
        template: "./src/dev/workbench/workbench.html",
        chunks: ["workbench"],
        // The host stand-in must be defined before functions.js runs; the page orders scripts.
        inject: false,
      }),
    ],
  };

  // The team gateway (dist-gateway/): a Node service, never part of the add-in. Its packages
  // stay in node_modules (a production install has them), so only src/ is bundled.
  const gateway = {
    name: "gateway",
    target: "node20",
    entry: { gateway: "./src/gateway/main.ts" },
    output: { path: path.resolve(__dirname, "dist-gateway"), clean: true },
    resolve: { extensions: [".ts", ".js"] },
    module: { rules: [typescriptRule] },
    externalsPresets: { node: true },
    externals: [
      ({ request }, callback) =>
        callback(undefined, /^[@a-z]/.test(request) ? `commonjs ${request}` : undefined),
    ],
    optimization: { minimize: false },
  };

  // The dev server serves the add-in and the workbench; the gateway is built by `npm run build`.
  return env.WEBPACK_SERVE ? [addin, workbench] : [addin, workbench, gateway];
};
