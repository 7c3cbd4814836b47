export { startSimulator, type Simulator, type SimulatorOptions, type RecordedCall } from './server';
export { seedDemoInstances } from './seed';
export type { FaultRule, Fault } from './faults';
export type { SimInstance } from './state';
