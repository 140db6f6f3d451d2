/**
 * A simulated fleet of agent components behind the real gateway, and the harness that measures what the
 * loop did about their problems against the ground truth (bench/fleet.ts; reusable by a demo). Nothing
 * in src/ knows about it.
 */
export { World, fleetComponents } from './world.ts';
export { Simulation, type SimulationCounts } from './simulation.ts';
export { startSimProvider, type SimProvider } from './provider.ts';
export { FleetDriver, type CallRecord, type DriveOptions } from './driver.ts';
export { fleetConfigYaml, startFleetGateway, FLEET_INTERVALS, type FleetGateway } from './gateway.ts';
export { measureFleet, type FleetReport, type ComponentReport, type ProblemReport } from './measure.ts';
export { runFleet, type FleetOptions, type FleetRun } from './run-fleet.ts';
export { formatFleetReport } from './report.ts';
export { clarity, complianceOf } from './contract.ts';
export { simEmbedding } from './embeddings.ts';
export { BASE_MODEL, TUNED_MODEL, JUDGE_MODEL, OPTIMIZER_MODEL, EMBEDDINGS_MODEL } from './models.ts';
export { GLITCH, type ComponentSpec, type FleetInput, type ProblemSpec, type Outcome } from './types.ts';
export { learnedFacts, ROWS_TO_LEARN, tunedAnswersAs, type TrainingRowLike } from './tuning.ts';
