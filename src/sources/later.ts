/**
 * An input's batches whose reader module is loaded on the first pull. The front door
 * (input-source.ts) names every reader, but a run reads one kind: loading the others'
 * modules (apache-arrow's ~250 files for the cart and plain readers, the Parquet
 * decompressors) was a third of a small CSV replay's start (bench/NOTES.md 58).
 */
export async function* later<T>(open: () => Promise<AsyncIterable<T>>): AsyncGenerator<T> {
  yield* await open();
}
