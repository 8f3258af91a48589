export { createGatewayApp, serve, type RunningGateway, type ServeOptions } from './server.js';
export { loadPlugins } from './plugins.js';
export { summarize } from './summary.js';
