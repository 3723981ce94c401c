// Finds what each root type of a Y.Doc is (Text, Map, Array, XmlFragment), also for roots never accessed.
import * as Y from 'yjs';

export type RootKind = 'text' | 'map' | 'array' | 'xml';

export type TypedRoot =
  | { kind: 'text'; type: Y.Text }
  | { kind: 'map'; type: Y.Map<unknown> }
  | { kind: 'array'; type: Y.Array<unknown> }
  | { kind: 'xml'; type: Y.XmlFragment };

/**
 * The kind of a root, or null when its content does not tell (empty, or all of it garbage-collected).
 * A doc built from an update holds roots as plain AbstractType until someone asks for a concrete type;
 * asking for the wrong one throws, so the kind is read from the stored items.
 */
export function rootKind(doc: Y.Doc, name: string): RootKind | null {
  const type = doc.share.get(name);
  if (!type) return null;
  if (type instanceof Y.Text) return 'text';
  if (type instanceof Y.Map) return 'map';
  if (type instanceof Y.Array) return 'array';
  if (type instanceof Y.XmlFragment) return 'xml';
  if (type._map.size > 0) return 'map';
  for (let item = type._start; item !== null; item = item.right) {
    const content = item.content;
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) return 'text';
    if (content instanceof Y.ContentAny || content instanceof Y.ContentBinary || content instanceof Y.ContentJSON) return 'array';
    if (content instanceof Y.ContentType) {
      const inner = content.type;
      return inner instanceof Y.XmlElement || inner instanceof Y.XmlText || inner instanceof Y.XmlHook ? 'xml' : 'array';
    }
  }
  return null;
}

export function typedRoot(doc: Y.Doc, name: string, kind: RootKind): TypedRoot {
  switch (kind) {
    case 'text':
      return { kind, type: doc.getText(name) };
    case 'map':
      return { kind, type: doc.getMap(name) };
    case 'array':
      return { kind, type: doc.getArray(name) };
    case 'xml':
      return { kind, type: doc.getXmlFragment(name) };
  }
}
