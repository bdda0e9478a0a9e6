import { CELL_TYPES, type CellType } from './cells.js';

export type Pooling = 'last' | 'mean' | 'max';
export const POOLINGS: readonly Pooling[] = ['last', 'mean', 'max'];

/** Everything needed to rebuild a model's shape; stored verbatim in the checkpoint. */
export interface Architecture {
  cell: CellType;
  inputSize: number; // alphabet channels
  hiddenSize: number;
  layers: number;
  bidirectional: boolean;
  dropout: number; // between recurrent layers and before the head, training only
  pool: Pooling;
  numClasses: number;
}

export function directionsOf(arch: Architecture): Array<'fwd' | 'bwd'> {
  return arch.bidirectional ? ['fwd', 'bwd'] : ['fwd'];
}

/** Width of one layer's output: both directions are concatenated. */
export function layerOutputSize(arch: Architecture): number {
  return arch.hiddenSize * directionsOf(arch).length;
}

export function isCellType(value: string): value is CellType {
  return (CELL_TYPES as readonly string[]).includes(value);
}
