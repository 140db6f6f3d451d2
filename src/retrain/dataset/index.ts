/** Fine-tuning datasets: trusted example counts, building the files, and the error for too few examples. */
export { countTrustedExamples, type CountOptions, type TrustedExampleCounts } from './example-counts.ts';
export { buildDataset, type BuildDatasetDeps, type BuildDatasetOptions } from './build-dataset.ts';
export { createDatasetJudge, type DatasetJudge } from './teacher.ts';
export { RetrainDatasetError, isRetrainDatasetError } from './errors.ts';
export { datasetFileNames, type DatasetFileName, type FileEntry } from './dataset-files.ts';
export { createRedactor, EMAIL_PATTERN, PHONE_PATTERN, REDACTED, type Redactor, type RedactionCounts } from './redact.ts';
export { splitOf, splitNames, type SplitName } from './split.ts';
