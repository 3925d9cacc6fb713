// Builds the automatic-mail fixtures (fixtures/sendgrid/automatic/cases.json) into real Inbound Parse bodies.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildMultipart, type MultipartPart } from '../../adapters/sendgrid/multipart.js';

const caseSchema = z.object({
  name: z.string(),
  description: z.string(),
  mode: z.enum(['parsed', 'raw']),
  subject: z.string().optional(),
  headers: z.array(z.string()).optional(),
  text: z.string().optional(),
  files: z.array(z.object({ filename: z.string(), type: z.string(), content: z.string() })).optional(),
  mime: z.array(z.string()).optional(),
  expect: z.object({ loop: z.string(), evidence: z.string() }),
});
export type AutomaticCase = z.infer<typeof caseSchema>;

const FILE = fileURLToPath(new URL('../../fixtures/sendgrid/automatic/cases.json', import.meta.url));
export const AUTOMATIC_CASES: AutomaticCase[] = z.array(caseSchema).parse(JSON.parse(readFileSync(FILE, 'utf8')));

export interface Fill {
  customer: string;
  ourMessageId: string;
}

const fill = (text: string, f: Fill) => text.replaceAll('{{CUSTOMER}}', f.customer).replaceAll('{{OUR_MESSAGE_ID}}', f.ourMessageId);

/** The multipart body SendGrid would post for this case. */
export function automaticMail(c: AutomaticCase, f: Fill): { body: Buffer; contentType: string } {
  const support = 'support@freeda.example';
  if (c.mode === 'raw') {
    const mime = fill((c.mime ?? []).join('\r\n'), f);
    const from = /^From: (.*)$/m.exec(mime)?.[1] ?? f.customer;
    return buildMultipart(
      [
        ['email', mime],
        ['to', support],
        ['from', from],
        ['envelope', JSON.stringify({ to: [support], from: '' })],
        ['charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8' })],
      ],
      `auto-${c.name}`,
    );
  }
  const headers = fill((c.headers ?? []).join('\n'), f);
  const files = c.files ?? [];
  const parts: MultipartPart[] = [
    ['headers', `${headers}\n`],
    ['from', /^From: (.*)$/m.exec(headers)?.[1] ?? f.customer],
    ['to', support],
    ['subject', c.subject ?? ''],
    ['text', fill(c.text ?? '', f)],
    ['envelope', JSON.stringify({ to: [support], from: f.customer })],
    ['charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' })],
    ['attachments', String(files.length)],
  ];
  if (files.length > 0) {
    parts.push([
      'attachment-info',
      JSON.stringify(Object.fromEntries(files.map((file, i) => [`attachment${i + 1}`, { filename: file.filename, type: file.type }]))),
    ]);
    files.forEach((file, i) =>
      parts.push([`attachment${i + 1}`, { filename: file.filename, contentType: file.type, content: Buffer.from(fill(file.content, f)) }]),
    );
  }
  return buildMultipart(parts, `auto-${c.name}`);
}
