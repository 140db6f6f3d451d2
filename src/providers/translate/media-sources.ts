import type {
  Base64ImageSource,
  Base64PDFSource,
  FileImageSource,
  URLImageSource,
} from '@anthropic-ai/sdk/resources/messages';
import { AppError } from '../../core/index.ts';

type ImageMediaType = Base64ImageSource['media_type'];

const imageMediaTypes: Record<string, ImageMediaType> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

interface DataUrl {
  mediaType: string;
  data: string;
}

/** `data:<media type>[;params];base64,<data>`; null when `url` is not a base64 data URL. */
export function parseBase64DataUrl(url: string): DataUrl | null {
  const m = /^data:([^;,]+)((?:;[^;,]*)*),/i.exec(url);
  if (!m || !(m[2] ?? '').toLowerCase().split(';').includes('base64')) return null;
  return { mediaType: (m[1] ?? '').toLowerCase(), data: url.slice(m[0].length) };
}

/** An OpenAI `image_url.url` (data URL or http(s) URL) → an Anthropic image source. */
export function imageSourceFromUrl(url: string, param: string): Base64ImageSource | URLImageSource {
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  if (!url.toLowerCase().startsWith('data:')) {
    throw new AppError('invalid_request', 'Image URL must be an http(s) URL or a base64 data URL.', { param });
  }
  const parsed = parseBase64DataUrl(url);
  if (!parsed) throw new AppError('unsupported', 'Image data URLs must be base64-encoded.', { param });
  const mediaType = imageMediaTypes[parsed.mediaType];
  if (!mediaType) {
    throw new AppError('unsupported', `Image type ${parsed.mediaType} is not supported; use JPEG, PNG, GIF or WebP.`, {
      param,
    });
  }
  return { type: 'base64', media_type: mediaType, data: parsed.data };
}

/** An OpenAI file part's `file_data` → an Anthropic PDF source; only base64 PDFs translate. */
export function pdfSourceFromFileData(fileData: string | undefined, param: string): Base64PDFSource {
  const parsed = fileData === undefined ? null : parseBase64DataUrl(fileData);
  if (!parsed || parsed.mediaType !== 'application/pdf') {
    throw new AppError('unsupported', 'Only inline base64 PDF files (file_data as a data: URL) are supported for this model.', {
      param,
    });
  }
  return { type: 'base64', media_type: 'application/pdf', data: parsed.data };
}

/** An Anthropic image source → an OpenAI `image_url.url`. File ids live at Anthropic and cannot travel. */
export function urlFromImageSource(
  source: Base64ImageSource | URLImageSource | FileImageSource,
  param: string,
): string {
  if (source.type === 'base64') return `data:${source.media_type};base64,${source.data}`;
  if (source.type === 'url') return source.url;
  throw new AppError('unsupported', 'Images given by file_id are not supported for this model.', { param });
}
