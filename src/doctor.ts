/**
 * `npm run doctor`: checks the deployment the environment describes (same Config as the gateway)
 * with a few real upstream requests and prints one ✓/✗ line per check, with a fix hint under
 * each ✗. Exits 1 when any check fails, 2 when the configuration itself is invalid.
 * Demo mode (no CONTACTS_API_URL): starts the embedded simulator and checks against it, with
 * demo mode's field mapping when FIELD_MAPPING is unset.
 */
import { ConfigError, isDemoMode, loadConfigFromProcess, withDemoFieldMapping } from "./config/index.js";
import { doctorPassed, formatDoctorReport, runDoctor } from "./doctor/index.js";
import { DEMO_LOCATION_ID, demoTokensWithInstall, demoUpstreamCredentials, startSimulator, type Simulator } from "./simulator/index.js";
import { StaticCredentialProvider } from "./upstream/index.js";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfigFromProcess();
    // Demo mode checks the mapping `npm start` serves there (schema/field-mapping.demo.json).
    if (isDemoMode(config)) config = withDemoFieldMapping(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`✗ configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let simulator: Simulator | undefined;
  try {
    let results;
    if (isDemoMode(config)) {
      // The credential `npm start` uses in demo mode: an install token holding OAUTH_SCOPES.
      const tokens = demoTokensWithInstall(config.oauth.scopes);
      simulator = await startSimulator({ port: 0, tokens });
      const demo = demoUpstreamCredentials(tokens)[DEMO_LOCATION_ID]!;
      process.stdout.write(`demo mode (no CONTACTS_API_URL): checking the embedded simulator at ${simulator.url}\n\n`);
      results = await runDoctor({
        config,
        upstreamBaseUrl: simulator.url,
        credentials: new StaticCredentialProvider({ [DEMO_LOCATION_ID]: demo }),
      });
    } else {
      process.stdout.write(`checking ${config.upstream.baseUrl}\n\n`);
      results = await runDoctor({ config });
    }
    process.stdout.write(formatDoctorReport(results));
    return doctorPassed(results) ? 0 : 1;
  } finally {
    await simulator?.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`✗ doctor crashed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
