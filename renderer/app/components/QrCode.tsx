import { useId, useMemo, useRef, useState } from 'react';
import { QR_MIN_MODULE_PX } from '../../../shared/qr-code.ts';
import { qrSvgSide } from '../share/qr-svg-side.ts';
import { svgDataUrl } from '../share/svg-data-url.ts';
import { QrFullView } from './QrFullView.tsx';

/** A link's QR code, drawn at the smallest size a phone reads; selecting it shows it full window. */
export function QrCode({ svg }: { svg: string }) {
  const src = useMemo(() => svgDataUrl(svg), [svg]);
  const side = useMemo(() => qrSvgSide(svg), [svg]);
  const [enlarged, setEnlarged] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const hintId = useId();
  const size = side * QR_MIN_MODULE_PX;
  return (
    <div className="qr-frame">
      <button type="button" ref={trigger} className="qr-button" aria-describedby={hintId} onClick={() => setEnlarged(true)}>
        <img className="qr" src={src} alt="QR code of the link" width={size} height={size} />
      </button>
      <p id={hintId} className="note">Select the code to show it full window, easier for a phone to read.</p>
      {enlarged && (
        <QrFullView
          src={src}
          side={side}
          onClose={() => {
            setEnlarged(false);
            trigger.current?.focus();
          }}
        />
      )}
    </div>
  );
}
