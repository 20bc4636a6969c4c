/**
 * @module
 * The discrete Fourier transforms the spectrum analysis needs, written out: the amplitude of a 1-D
 * signal at chosen integer frequencies, and the power of a 2-D image, gathered into radial bands.
 * Plain DFTs, not an FFT package: the sizes are small (a 1-D signal of 256 samples at 10
 * frequencies; a 2-D DFT done separably, rows then columns, O(W·H·(W+H)) — 64×64 is 0.5 M complex
 * products per channel), any size works (no power of two needed), and each line reads as its formula.
 */

/**
 * The amplitude of a real signal's sinusoid at each integer frequency k (cycles over the signal):
 * |X[k]|·2/N, where X[k] = Σ_n s[n]·e^(−2πi·k·n/N). For s[n] = A·sin(2πkn/N + φ) it is A.
 *
 * @param signal - [N] samples over one period
 *
 * @example
 * ```ts
 * amplitudes(Float64Array.from({ length: 64 }, (_, n) => 0.3 * Math.sin((2 * Math.PI * 5 * n) / 64)), [5]); // [0.3]
 * ```
 *
 * @group Spectral bias
 */
export function amplitudes(signal: ArrayLike<number>, frequencies: readonly number[]): number[] {
  const N = signal.length;
  return frequencies.map((k) => {
    // X[k] = Σ_n s[n]·(cos(2πkn/N) − i·sin(2πkn/N))
    let re = 0;
    let im = 0;
    for (let n = 0; n < N; n++) {
      const t = (2 * Math.PI * k * n) / N;
      re += signal[n] * Math.cos(t);
      im -= signal[n] * Math.sin(t);
    }
    return (2 / N) * Math.hypot(re, im);
  });
}

/**
 * The power |X[v][u]|² of the 2-D DFT of one channel of an image, X[v][u] = Σ_y Σ_x
 * s[y][x]·e^(−2πi·(u·x/W + v·y/H)), computed separably: a DFT of every row, then of every column.
 *
 * @param data - row-major [H][W][channels]
 * @returns row-major [H][W]: power at vertical frequency v, horizontal frequency u
 *
 * @example
 * ```ts
 * const P = power2D(image.data, image.width, image.height, 3, 0); // the red channel's power
 * ```
 *
 * @group Spectral bias
 */
export function power2D(data: ArrayLike<number>, width: number, height: number, channels: number, channel: number): Float64Array {
  const W = width;
  const H = height;
  // rows: R[y][u] = Σ_x s[y][x]·e^(−2πi·u·x/W), row-major [H][W], real and imaginary parts
  const rRe = new Float64Array(H * W);
  const rIm = new Float64Array(H * W);
  const [cw, sw] = twiddles(W);
  for (let y = 0; y < H; y++)
    for (let u = 0; u < W; u++) {
      let re = 0;
      let im = 0;
      for (let x = 0; x < W; x++) {
        const s = data[(y * W + x) * channels + channel];
        const t = (u * x) % W;
        re += s * cw[t];
        im -= s * sw[t];
      }
      rRe[y * W + u] = re;
      rIm[y * W + u] = im;
    }
  // columns: X[v][u] = Σ_y R[y][u]·e^(−2πi·v·y/H); power |X|², row-major [H][W]
  const power = new Float64Array(H * W);
  const [ch, sh] = twiddles(H);
  for (let u = 0; u < W; u++)
    for (let v = 0; v < H; v++) {
      let re = 0;
      let im = 0;
      for (let y = 0; y < H; y++) {
        const t = (v * y) % H;
        // (a + ib)(cos − i·sin) = a·cos + b·sin + i(b·cos − a·sin)
        re += rRe[y * W + u] * ch[t] + rIm[y * W + u] * sh[t];
        im += rIm[y * W + u] * ch[t] - rRe[y * W + u] * sh[t];
      }
      power[v * W + u] = re * re + im * im;
    }
  return power;
}

/** cos and sin of 2π·t/N for t < N. */
function twiddles(N: number): [Float64Array, Float64Array] {
  const c = new Float64Array(N);
  const s = new Float64Array(N);
  for (let t = 0; t < N; t++) {
    c[t] = Math.cos((2 * Math.PI * t) / N);
    s[t] = Math.sin((2 * Math.PI * t) / N);
  }
  return [c, s];
}

/**
 * A radial frequency band: |f| in [from, to), in cycles per pixel (0.5 is the Nyquist frequency).
 *
 * @group Spectral bias
 */
export interface Band {
  /** lower edge, cycles per pixel */
  readonly from: number;
  /** upper edge, cycles per pixel (the last band also holds the corners beyond 0.5) */
  readonly to: number;
}

/**
 * `count` bands of equal width from 0 to the Nyquist frequency 0.5 cycles per pixel.
 *
 * @example
 * ```ts
 * radialBands(4); // [{ from: 0, to: 0.125 }, …, { from: 0.375, to: 0.5 }]
 * ```
 *
 * @group Spectral bias
 */
export function radialBands(count: number): Band[] {
  return Array.from({ length: count }, (_, b) => ({ from: (0.5 * b) / count, to: (0.5 * (b + 1)) / count }));
}

/**
 * Which band each DFT bin falls in: |f| = √((u′/W)² + (v′/H)²), u′ = min(u, W − u) (the bin's
 * frequency, the negative ones folded), bands of equal width up to 0.5; bins beyond 0.5 (the
 * corners) go in the last band. The constant term (u = v = 0, the image's mean) is in none: its
 * value is `count` (the mean is learnt in the first steps and would swamp the lowest band).
 *
 * @returns row-major [H][W] band indices, `count` for the constant term
 *
 * @example
 * ```ts
 * bandOfBins(64, 64, 8)[1]; // 0: the lowest horizontal frequency is in the lowest band
 * ```
 *
 * @group Spectral bias
 */
export function bandOfBins(width: number, height: number, count: number): Uint16Array {
  const out = new Uint16Array(width * height);
  for (let v = 0; v < height; v++)
    for (let u = 0; u < width; u++) {
      const f = Math.hypot(Math.min(u, width - u) / width, Math.min(v, height - v) / height);
      out[v * width + u] = u === 0 && v === 0 ? count : Math.min(count - 1, Math.floor((f / 0.5) * count));
    }
  return out;
}
