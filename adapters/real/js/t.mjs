import * as A from '@automerge/automerge';
import { LoroDoc } from 'loro-crdt';
import * as Y from 'yjs';
// three updates from one author: u1, u2 (after u1), deliver u2 first, fork, then deliver u1 to the fork
{ // yjs
  const a = new Y.Doc(); a.clientID = 0; const t = a.getText('t'); const us = [];
  a.on('update', u => us.push(u)); t.insert(0, 'x'); t.insert(1, 'y');
  const b = new Y.Doc(); b.clientID = 1; Y.applyUpdate(b, us[1]);
  const c = new Y.Doc(); c.clientID = 1; Y.applyUpdate(c, Y.encodeStateAsUpdate(b)); Y.applyUpdate(c, us[0]);
  console.log('yjs fork keeps pending:', c.getText('t').toString());
}
{ // automerge
  const base = A.save(A.change(A.init({actor: 'ffffffff'}), {time: 0}, d => { d.text = ''; }));
  let a = A.load(base, {actor: '00000000'}); const cs = [];
  a = A.change(a, {time: 0}, d => A.splice(d, ['text'], 0, 0, 'x')); cs.push(A.getLastLocalChange(a));
  a = A.change(a, {time: 0}, d => A.splice(d, ['text'], 1, 0, 'y')); cs.push(A.getLastLocalChange(a));
  const h = A.getHeads(a); let a2 = A.change(a, {time: 0}, d => A.splice(d, ['text'], 0, 0, '')); console.log('am noop same heads:', JSON.stringify(A.getHeads(a2)) === JSON.stringify(h));
  let b = A.load(base, {actor: '00000001'}); [b] = A.applyChanges(b, [cs[1]]);
  let c = A.clone(b); [c] = A.applyChanges(c, [cs[0]]);
  let d = A.load(A.save(b), {actor: '00000001'}); [d] = A.applyChanges(d, [cs[0]]);
  console.log('am clone keeps pending:', c.text, A.getActorId(c), ' save/load keeps pending:', d.text);
}
{ // loro
  const a = new LoroDoc(); a.setPeerId(0n); const t = a.getText('t'); const us = [];
  let v = a.oplogVersion(); t.insert(0, 'x'); a.commit(); us.push(a.export({mode: 'update', from: v}));
  v = a.oplogVersion(); t.insert(1, 'y'); a.commit(); us.push(a.export({mode: 'update', from: v}));
  const b = new LoroDoc(); b.setPeerId(1n); b.import(us[1]);
  const c = b.fork(); c.import(us[0]); console.log('loro fork keeps pending:', c.getText('t').toString(), c.peerId);
  const d = new LoroDoc(); d.setPeerId(1n); d.import(b.export({mode: 'snapshot'})); d.import(us[0]); console.log('loro snapshot keeps pending:', d.getText('t').toString());
}
