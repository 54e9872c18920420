// What the three JavaScript libraries' adapters share: the command line, and the list
// vocabulary's edits resolved against a replica's length (docs/protocol.md, "list and text").

/** UTF-16 units of one text element: a letter (1) and its tag, outside the BMP (2). */
export const UNITS = 3;

/**
 * The edit `op` makes on a list of `length` elements: `{ insert: text, at }` with the index
 * taken modulo `length + 1`, `{ delete: at }` modulo `length`, or `null` (a delete on an empty
 * list).
 */
export function listEdit(op, length) {
  if ('insert' in op) return { insert: op.insert.text, at: op.insert.at % (length + 1) };
  if (length === 0) return null;
  return { delete: op.delete.at % length };
}

/** The operation of a map's register (`{"update": {"key", "op": {"set": x}}}`). */
export function mapSet(op) {
  return [op.update.key, op.update.op.set];
}

export const base64 = (bytes) => Buffer.from(bytes).toString('base64');
export const bytes = (text) => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * The vocabulary of each kind of type, and the type the command line asks for: `node <lib>.js
 * <type> [<interleaving>]`, the second argument replacing the non-interleaving the library's
 * algorithm is declared to promise (to see what the oracles find when it promises more).
 */
export function chooseType(types, argv = process.argv.slice(2)) {
  const [type, interleaving] = argv;
  const entry = types[type];
  if (entry === undefined) {
    process.stderr.write(`usage: <adapter> ${Object.keys(types).join('|')} [none|forward|backward|maximal]\n`);
    process.exit(2);
  }
  const vocabulary = { ...entry.vocabulary };
  if (interleaving !== undefined) vocabulary.interleaving = interleaving;
  return { name: type, type: entry, vocabulary };
}

/** Vocabularies: `text` and `list` with the non-interleaving promised, a map of registers. */
export const text = (interleaving) => ({ kind: 'text', interleaving });
export const list = (interleaving) => ({ kind: 'list', interleaving });
export const lwwMap = { kind: 'map', values: { kind: 'register', semantics: 'lww' } };

/**
 * The type `text` of a library whose text has Yjs' and Loro's interface (`doc.getText(name)`,
 * `insert(index, string)`, `delete(index, count)`, `length`, `toString()`, in UTF-16 units).
 */
export const sharedText = (interleaving) => ({
  vocabulary: text(interleaving),
  make: (doc) => doc.getText('text'),
  length: (t) => t.length / UNITS,
  edit(t, e) {
    if (e.insert !== undefined) t.insert(e.at * UNITS, e.insert);
    else t.delete(e.delete * UNITS, UNITS);
  },
  value: (t) => t.toString(),
});

/**
 * A sync message of two parts as one base64 string (so the harness counts its bytes): what the
 * sender has (a state vector, a version vector) and, when the receiver lacks something, the
 * update; `unpack` gives them back (`update` is `null` when there was none).
 */
export function pack(have, update) {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(have.length, 0);
  head.writeUInt8(update === null ? 0 : 1, 4);
  return Buffer.concat([head, have, update ?? new Uint8Array(0)]).toString('base64');
}

export function unpack(message) {
  const all = Buffer.from(message, 'base64');
  const n = all.readUInt32BE(0);
  const have = new Uint8Array(all.subarray(5, 5 + n));
  const update = all.readUInt8(4) === 1 ? new Uint8Array(all.subarray(5 + n)) : null;
  return { have, update };
}

/**
 * The command line of an adapter that also serves its library's own sync: `--sync` anywhere
 * asks for the sync flavour; the rest is for `chooseType`.
 */
export function syncFlag(argv = process.argv.slice(2)) {
  return { sync: argv.includes('--sync'), rest: argv.filter((a) => a !== '--sync') };
}
