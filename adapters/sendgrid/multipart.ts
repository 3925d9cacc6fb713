// Builds a multipart/form-data body the way SendGrid Inbound Parse posts it: text fields without a
// Content-Type (their bytes in the mail's own charset), attachments as file parts. Used by the
// simulator, the fixture builder and the tests. FormData cannot do this: it re-encodes strings as UTF-8.

export interface MultipartFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

export type MultipartPart = [name: string, value: string | Buffer | MultipartFile];

function isFile(value: string | Buffer | MultipartFile): value is MultipartFile {
  return typeof value === 'object' && !Buffer.isBuffer(value);
}

function quoted(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[\r\n]/g, ' ');
}

export function buildMultipart(parts: MultipartPart[], boundary: string): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const [name, value] of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`, 'utf8'));
    if (isFile(value)) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${quoted(name)}"; filename="${quoted(value.filename)}"\r\n` +
            `Content-Type: ${value.contentType}\r\n\r\n`,
          'utf8',
        ),
      );
      chunks.push(value.content);
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${quoted(name)}"\r\n\r\n`, 'utf8'));
      chunks.push(Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'));
    }
    chunks.push(Buffer.from('\r\n', 'utf8'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function randomBoundary(): string {
  return `xYzZY${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}
