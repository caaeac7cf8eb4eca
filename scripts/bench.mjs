// `npm run bench` runs the benchmarks side by side and prints ratios; filled in as actions land.
console.log('No benchmarks yet.');
