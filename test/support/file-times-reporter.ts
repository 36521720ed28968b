/**
 * A node:test reporter that writes, at the end, how long each file's tests took (the sum of its
 * top-level tests' durations, in ms) as one JSON object keyed by the file's absolute path.
 * test/run.ts adds it beside the spec reporter of the unit tests and splits them into groups of
 * about equal time with what it wrote last.
 */
import type { TestEvent } from 'node:test/reporters';

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const times: Record<string, number> = {};
  for await (const e of source) {
    if (e.type !== 'test:pass' && e.type !== 'test:fail') continue;
    const { nesting, file, details } = e.data;
    if (nesting === 0 && file !== undefined) times[file] = (times[file] ?? 0) + details.duration_ms;
  }
  yield `${JSON.stringify(times)}\n`;
}
