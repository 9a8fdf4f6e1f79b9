// The engine's pull/push/import answers are a stream of JSON objects, one per line:
//   {"status":"Downloading","progressDetail":{"current":1,"total":9},"id":"<layer>"}
//   {"errorDetail":{"message":"…"},"error":"…"}        ← a failure *inside* a 200 answer
// JsonLinesParser splits them incrementally (chunks split objects anywhere, including inside a
// multi-byte character); ProgressAggregator folds them into one per-operation summary.
import { EngineError } from '../errors/errors';

export interface EngineProgressEvent {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number; ID?: string };
  stream?: string;
}

export interface ProgressSnapshot {
  layersDone: number;
  layersTotal: number;
  /** Transfer bytes (download for pull, upload for push) over layers whose size is known. */
  bytesDone: number;
  bytesTotal: number;
  /** 0..100, integer. 100 only once the engine reports the operation finished. */
  percent: number;
  /** The engine's latest status text, e.g. "Downloading", "Digest: sha256:…". */
  status: string;
}

/** Splits a byte stream into JSON values, one per line. Blank lines are skipped. */
export class JsonLinesParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';

  /** Returns every complete object in the data seen so far. */
  feed(chunk: Uint8Array | string): EngineProgressEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: EngineProgressEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const ev = parseLine(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** Call at end of stream: a last object without a trailing newline is still an object. */
  end(): EngineProgressEvent[] {
    this.buffer += this.decoder.decode();
    const rest = this.buffer;
    this.buffer = '';
    const ev = parseLine(rest);
    return ev ? [ev] : [];
  }
}

function parseLine(line: string): EngineProgressEvent | undefined {
  const text = line.trim();
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not our protocol (a proxy's HTML page?): keep the words for the person, as a stream error.
    return { error: `unexpected line from the engine: ${text.slice(0, 200)}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as EngineProgressEvent;
}

/** The error an event carries, if any, classified so callers can react (auth → offer a login). */
export function streamEventError(ev: EngineProgressEvent, endpoint: string): EngineError | undefined {
  const message = ev.errorDetail?.message ?? ev.error;
  if (message === undefined) return undefined;
  return new EngineError(classifyEngineMessage(message) ?? 'stream', endpoint, message);
}

/**
 * The engine passes registry failures through as text (sometimes in a 500, sometimes inside the
 * stream), so the reason can only be read from the words. undefined = nothing recognisable.
 */
export function classifyEngineMessage(message: string): 'auth' | 'not-found' | undefined {
  const m = message.toLowerCase();
  if (
    /unauthorized|authentication required|no basic auth credentials|access.*denied|denied:|incorrect username or password|insufficient_scope|requested access to the resource is denied/.test(m)
  ) {
    return 'auth';
  }
  if (/not found|manifest unknown|does not exist|no such image|name unknown|repository .* not found/.test(m)) {
    return 'not-found';
  }
  return undefined;
}

type LayerPhase = 'waiting' | 'transfer' | 'transferred' | 'extracting' | 'done';

interface LayerState {
  phase: LayerPhase;
  current: number;
  total?: number;
}

// Statuses that mean a layer is finished; prefixes because some carry detail ("Mounted from x/y").
const DONE_PREFIXES = ['Pull complete', 'Already exists', 'Pushed', 'Layer already exists', 'Mounted from'];
const TRANSFERRED = ['Verifying Checksum', 'Download complete'];

export class ProgressAggregator {
  private readonly layers = new Map<string, LayerState>();
  private status = '';
  private finished = false;
  /** "Digest: sha256:…" (pull) or aux.Digest (push). */
  digest?: string;
  /** aux.Size of the pushed manifest. */
  manifestSize?: number;
  /** The last "Status: …" line of a pull ("Downloaded newer image…" / "Image is up to date…"). */
  finalStatus?: string;

  add(ev: EngineProgressEvent): void {
    if (ev.aux?.Digest) {
      this.digest = ev.aux.Digest;
      if (typeof ev.aux.Size === 'number') this.manifestSize = ev.aux.Size;
      this.finished = true;
    }
    const status = ev.status;
    if (typeof status !== 'string') return;
    this.status = status;

    const digestLine = /^Digest: (sha256:[0-9a-f]{64})/.exec(status);
    if (digestLine) this.digest = digestLine[1];
    if (status.startsWith('Status: ')) {
      this.finalStatus = status.slice('Status: '.length);
      this.finished = true;
    }
    // Push ends with "<tag>: digest: sha256:… size: N".
    const pushed = /: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(status);
    if (pushed) {
      this.digest = pushed[1];
      this.manifestSize = Number(pushed[2]);
      this.finished = true;
    }

    // "Pulling from demo/x" carries the tag as its id: not a layer.
    if (!ev.id || status.startsWith('Pulling from') || status.startsWith('The push refers')) return;
    const layer = this.layers.get(ev.id) ?? { phase: 'waiting' as LayerPhase, current: 0 };
    this.layers.set(ev.id, layer);
    const detail = ev.progressDetail ?? {};

    if (DONE_PREFIXES.some((p) => status.startsWith(p))) {
      layer.phase = 'done';
      if (layer.total !== undefined) layer.current = layer.total;
    } else if (status === 'Downloading' || status === 'Pushing') {
      if (layer.phase === 'waiting' || layer.phase === 'transfer') {
        layer.phase = 'transfer';
        if (typeof detail.total === 'number' && detail.total > 0) layer.total = detail.total;
        // Push reports compressed bytes against the uncompressed total, so current can overshoot.
        if (typeof detail.current === 'number') layer.current = layer.total ? Math.min(detail.current, layer.total) : detail.current;
      }
    } else if (TRANSFERRED.includes(status)) {
      layer.phase = 'transferred';
      if (layer.total !== undefined) layer.current = layer.total;
    } else if (status === 'Extracting') {
      layer.phase = 'extracting';
      if (layer.total === undefined && typeof detail.total === 'number') layer.total = detail.total;
      if (layer.total !== undefined) layer.current = layer.total;
    }
    // 'Pulling fs layer', 'Waiting', 'Preparing', 'Retrying in N seconds': registered, nothing moved.
  }

  /** Call when the engine ended the stream without an error. */
  markFinished(): void {
    this.finished = true;
  }

  snapshot(): ProgressSnapshot {
    let layersDone = 0;
    let bytesDone = 0;
    let bytesTotal = 0;
    let knownCount = 0;
    for (const l of this.layers.values()) {
      if (l.phase === 'done') layersDone++;
      if (l.total !== undefined) {
        bytesTotal += l.total;
        bytesDone += Math.min(l.current, l.total);
        knownCount++;
      }
    }
    const layersTotal = this.layers.size;
    let percent: number;
    if (this.finished) {
      percent = 100;
    } else if (layersTotal === 0) {
      percent = 0;
    } else {
      // Weight each layer by its size; a layer whose size is not known yet weighs the average of
      // the known ones, so the figure does not jump backwards when a big layer starts.
      const avg = knownCount ? bytesTotal / knownCount : 1;
      let weighted = 0;
      let weights = 0;
      for (const l of this.layers.values()) {
        const w = l.total ?? avg;
        // Transfer is most of the work; extraction (pull) is the last 10%.
        let f = 0;
        if (l.phase === 'done') f = 1;
        else if (l.phase === 'transferred' || l.phase === 'extracting') f = 0.9;
        else if (l.phase === 'transfer' && l.total) f = 0.9 * Math.min(l.current / l.total, 1);
        weighted += w * f;
        weights += w;
      }
      percent = Math.min(99, Math.floor((100 * weighted) / (weights || 1)));
    }
    return { layersDone, layersTotal, bytesDone, bytesTotal, percent, status: this.status };
  }
}

/** "12.3 MB" — decimal units, as docker prints them. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** One terminal line: "3/5 layers  12 MB / 45 MB  27%". */
export function formatProgressLine(p: ProgressSnapshot): string {
  const bytes = p.bytesTotal ? `  ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}` : '';
  return `${p.layersDone}/${p.layersTotal} layers${bytes}  ${p.percent}%`;
}
