/**
 * Limited-memory BFGS for smooth, convex objectives of a few thousand to a few hundred thousand parameters (the
 * linear baselines). Deterministic: no randomness, fixed operation order. The line search backtracks from the
 * quasi-Newton step until the Armijo condition holds; a pair whose curvature s'y is not positive is dropped, so
 * the inverse-Hessian estimate stays positive definite.
 */

/** Writes the gradient at x into grad and returns the objective. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations?: number;
  /** stop when the largest gradient component is below this */
  gradientTolerance?: number;
  /** stop when an iteration lowers the objective by less than this fraction of its value */
  relativeDecrease?: number;
  /** pairs kept for the inverse-Hessian estimate */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** evaluations of the objective (iterations plus line-search trials) */
  evaluations: number;
  converged: boolean;
}

const ARMIJO = 1e-4;

export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 200;
  const gradientTolerance = options.gradientTolerance ?? 1e-6;
  const relativeDecrease = options.relativeDecrease ?? 1e-9;
  const memory = options.memory ?? 10;
  const n = start.length;
  let x = Float64Array.from(start);
  let grad = new Float64Array(n);
  let value = objective(x, grad);
  let evaluations = 1;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const alpha = new Float64Array(memory);
  const direction = new Float64Array(n);
  let nextX = new Float64Array(n);
  let nextGrad = new Float64Array(n);

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(grad) <= gradientTolerance) return { x, value, iterations: iteration, evaluations, converged: true };

    // Two-loop recursion: direction = -H grad.
    for (let i = 0; i < n; i++) direction[i] = -grad[i]!;
    for (let m = sList.length - 1; m >= 0; m--) {
      alpha[m] = rhoList[m]! * dot(sList[m]!, direction);
      axpy(-alpha[m]!, yList[m]!, direction);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      scale(direction, 1 / (rhoList[last]! * dot(yList[last]!, yList[last]!)));
    } else {
      // First step: a unit-length move along the steepest descent, so the scale of the problem does not matter.
      scale(direction, 1 / Math.max(norm(grad), 1e-300));
    }
    for (let m = 0; m < sList.length; m++) {
      const beta = rhoList[m]! * dot(yList[m]!, direction);
      axpy(alpha[m]! - beta, sList[m]!, direction);
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding on a flat objective): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rhoList.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -grad[i]!;
      slope = -dot(grad, grad);
      if (!(slope < 0)) return { x, value, iterations: iteration, evaluations, converged: true };
    }

    let step = 1;
    let nextValue = Infinity;
    for (let trial = 0; trial < 40; trial++) {
      for (let i = 0; i < n; i++) nextX[i] = x[i]! + step * direction[i]!;
      nextValue = objective(nextX, nextGrad);
      evaluations++;
      if (nextValue <= value + ARMIJO * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue <= value + ARMIJO * step * slope)) return { x, value, iterations: iteration, evaluations, converged: false };

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = nextX[i]! - x[i]!;
      y[i] = nextGrad[i]! - grad[i]!;
    }
    const curvature = dot(s, y);
    if (curvature > 1e-12 * dot(y, y)) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / curvature);
    }
    const decrease = value - nextValue;
    [x, nextX] = [nextX, x];
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
    if (decrease <= relativeDecrease * Math.max(Math.abs(value), 1e-12)) {
      return { x, value, iterations: iteration + 1, evaluations, converged: true };
    }
  }
  return { x, value, iterations: maxIterations, evaluations, converged: maxAbs(grad) <= gradientTolerance };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

function norm(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}
