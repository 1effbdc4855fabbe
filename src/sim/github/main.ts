// Runs the GitHub simulator as its own process (benchmarks keep its CPU out of the client's event loop; people can
// point a real Octokit or curl at it): node --import tsx src/sim/github/main.ts --repos 2000 --latency 20 --seed 42
// Prints one JSON line {"url", "token"} on stdout, then serves until killed.
import { generateEstate } from './estate.js';
import { startGitHubSim } from './server.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const estate = generateEstate({ repos: arg('repos', 100), seed: arg('seed', 1) });
const sim = await startGitHubSim({ estate, latencyMs: arg('latency', 0), rateLimit: { limit: arg('rate-limit', 5000) } });
process.stdout.write(JSON.stringify({ url: sim.apiUrl, token: estate.tokens[0] }) + '\n');
const stop = () => { void sim.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
