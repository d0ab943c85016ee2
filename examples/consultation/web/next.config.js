/** Static export: FastAPI serves the files from /app/static. */
module.exports = { output: 'export' };
