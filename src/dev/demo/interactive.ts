import type { DemoWorld } from './world.ts';
export async function runInteractive(_world: DemoWorld): Promise<void> {}
