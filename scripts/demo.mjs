// `npm run demo` rehearses the hotfix process end to end; it is filled in by the demo work.
console.log('The end-to-end demo is not built yet: see the README for what each action does.');
