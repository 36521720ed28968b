/**
 * A busy loop for the relay benchmark's disk floor: burns argv[2] ms of CPU in every 10 ms until
 * it is killed, standing in for the CPU that a latency phase keeps busy.
 */
const duty = Math.min(10, Number(process.argv[2] ?? 5));
for (;;) {
  const started = performance.now();
  while (performance.now() - started < duty) {
    /* burn */
  }
  await new Promise((r) => setTimeout(r, 10 - duty));
}
