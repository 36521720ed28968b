import { RE2JS } from 're2js';
RE2JS.compile('\\pL\\p{Greek}');
const cases: [string, string][] = [
  ['pL x341', '\\pL'.repeat(341)], ['pL|x256', Array(256).fill('\\pL').join('|')], ['[a-z] x204', '[a-z]'.repeat(204)], ['a x1024', 'a'.repeat(1024)],
  ['(?:pL{100}){10}', '(?:\\pL{100}){10}'], ['pL{1000}|x10', Array(10).fill('\\pL{1000}').join('|')], ['pL{1000}|x90', Array(90).fill('\\pL{1000}').join('|')],
  ['.*x512', '.*'.repeat(512)], ['(a|b)x200', '(a|b)'.repeat(200)], ['[^a]{1000}', '[^a]{1000}'], ['\\p{Greek}{1000}', '\\p{Greek}{1000}'], ['(?i)x{1000}', '(?i)x{1000}'],
  ['.{1000}', '.{1000}'], ['(?s).{1000}', '(?s).{1000}'], ['[\\x{0}-\\x{10FFFF}]{1000}', '[\\x{0}-\\x{10FFFF}]{1000}'],
];
for (const [label, p] of cases) {
  const t0 = performance.now();
  let insts = 0; let err = '';
  for (let i = 0; i < 3; i++) { try { insts = (RE2JS.compile(p + '|z' + i) as any).re2Input.prog.inst.length; } catch (e) { err = (e as Error).message.slice(0, 50); } }
  console.log(label.padEnd(28), 'len', String(p.length).padStart(5), 'ms', ((performance.now() - t0) / 3).toFixed(2).padStart(7), 'insts', insts, err);
}
