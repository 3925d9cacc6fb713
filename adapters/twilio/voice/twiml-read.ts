// Reads TwiML back into verbs (the simulator follows Gather/Record actions like Twilio would). Pure.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface TwimlVerb {
  verb: string;
  attributes: Record<string, string>;
  /** Text content (Say, Redirect), '' when none. */
  text: string;
  children: TwimlVerb[];
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function toVerbs(nodes: OrderedNode[]): TwimlVerb[] {
  const verbs: TwimlVerb[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (!name || name === '#text' || name === '?xml') continue;
    const inner = (node[name] as OrderedNode[]) ?? [];
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(node[':@'] ?? {})) attributes[key.replace(/^@_/, '')] = String(value);
    const text = inner
      .filter((child) => '#text' in child)
      .map((child) => String(child['#text']))
      .join('');
    verbs.push({ verb: name, attributes, text, children: toVerbs(inner) });
  }
  return verbs;
}

/** The verbs under `<Response>`, in order. Throws on anything that is not well-formed TwiML. */
export function readTwiml(xml: string): TwimlVerb[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`invalid XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    preserveOrder: true,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
  });
  const document = parser.parse(xml) as OrderedNode[];
  const response = document.find((node) => 'Response' in node);
  if (!response) throw new Error('no <Response> root');
  return toVerbs((response.Response as OrderedNode[]) ?? []);
}
