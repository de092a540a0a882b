// Entry point of the image. Without arguments it runs the server; with arguments it is a
// small HTTP client of the service:
//   main.js probe URL                        exit 0 iff GET URL answers 200 within 5 s
//   main.js traffic URL SECONDS PER_SECOND   steady test traffic, for canary analysis

import { probe, traffic } from './client.js';
import { serve } from './server.js';

const USAGE = 'usage: main.js [probe URL | traffic URL SECONDS PER_SECOND]';

async function main([command, ...args]) {
  if (command === undefined) {
    await serve();
    return;
  }
  if (command === 'probe' && args.length === 1) {
    process.exit((await probe(args[0])) ? 0 : 1);
  }
  const [url, seconds, perSecond] = [args[0], Number(args[1]), Number(args[2])];
  if (command === 'traffic' && args.length === 3 && seconds > 0 && perSecond > 0) {
    const { answered, failed } = await traffic(url, seconds, perSecond);
    console.log(`${answered} requests answered, ${failed} failed`);
    process.exit(answered > 0 ? 0 : 1);
  }
  console.error(USAGE);
  process.exit(2);
}

await main(process.argv.slice(2));
