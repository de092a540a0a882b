// Client mode: the image has no shell or curl, so `helm test` and the canary's test-traffic job
// run the service's own entry point with these commands.

const TIMEOUT_MS = 5000;

/** True iff GET url answers 200 within 5 s. */
export async function probe(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * GETs url `perSecond` times a second for `seconds` and counts the requests answered with 200
 * and those that failed (any other status, an error or no answer within 5 s).
 */
export async function traffic(url, seconds, perSecond) {
  let answered = 0;
  let failed = 0;
  const one = async () => {
    if (await probe(url)) answered += 1;
    else failed += 1;
  };
  const pending = [];
  const total = Math.round(seconds * perSecond);
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    // Requests start on a fixed schedule, whether or not earlier ones have been answered.
    const wait = start + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(one());
  }
  await Promise.all(pending);
  return { answered, failed };
}
