import { useEffect, useId, useRef, useState } from 'react';
import { qrDrawing } from '../../../shared/qr-code.ts';

export interface QrFullViewProps {
  /** The QR code image (a data: URL). */
  src: string;
  /** Its side in modules, quiet zone included. */
  side: number;
  /** Called once the view has closed, so focus can go back where it came from. */
  onClose: () => void;
}

/** The QR code as large as the window allows, at whole pixels per module, on white. */
export function QrFullView({ src, side, onClose }: QrFullViewProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const area = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const [space, setSpace] = useState<number | undefined>();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  useEffect(() => {
    const element = area.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setSpace(Math.min(element.clientWidth, element.clientHeight)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const drawing = space === undefined ? undefined : qrDrawing(side, space);
  return (
    <dialog
      ref={dialog}
      className="qr-full"
      aria-labelledby={titleId}
      // React passes dialog events up its own tree: without stopping them here,
      // Escape would also cancel the share dialog this view opened from.
      onCancel={(event) => event.stopPropagation()}
      onClose={(event) => {
        event.stopPropagation();
        onClose();
      }}
    >
      <div className="qr-full__bar">
        <h2 id={titleId} className="qr-full__title">QR code of the link</h2>
        <button type="button" className="button qr-full__close" onClick={() => dialog.current?.close()}>Close</button>
      </div>
      <div ref={area} className="qr-full__area">
        {drawing && <img src={src} alt="QR code of the link" width={drawing.size} height={drawing.size} />}
      </div>
    </dialog>
  );
}
