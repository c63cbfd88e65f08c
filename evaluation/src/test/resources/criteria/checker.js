// A criterion written in another language: passes an answer that contains the row's "keyword".
// The first argument picks a misbehaviour to test the Java side's handling: sleep, crash or garbage.
const mode = process.argv[2] || 'contains';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  if (mode === 'sleep') {
    setTimeout(() => {}, 60000);
    return;
  }
  if (mode === 'crash') {
    console.error('checker: cannot judge ' + request.criterion);
    process.exit(3);
  }
  if (mode === 'garbage') {
    console.log('yes');
    return;
  }
  const keyword = String(request.row.keyword || '');
  const pass = keyword.length > 0 && request.answer.includes(keyword);
  const words = request.answer.split(/\s+/).filter((w) => w.length > 0).length;
  console.log(JSON.stringify({
    pass: pass,
    score: pass ? 1 : 0.25,
    reason: (pass ? 'has ' : 'lacks ') + keyword + ' in ' + words + ' words',
  }));
});
