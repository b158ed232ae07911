/**
 * A QR code as an SVG document, for the authenticator set-up. Made on the server and shown as an
 * image (a data: URL), so the page needs no script of its own for it and the CSP stays as it is.
 */
import 'server-only';
import QRCode from 'qrcode';

export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
