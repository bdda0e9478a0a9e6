// Preloaded by npm run bench's memory section (node -r): prints the process's peak resident set size on exit, so
// each rnnseq command's peak memory is measured from outside, as /usr/bin/time -v would.
process.on('exit', () => {
  require('node:fs').writeSync(2, `rnnseq-bench-max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
