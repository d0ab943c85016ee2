/** Static export: FastAPI serves the files from /app/static. */
export default { output: 'export' };
