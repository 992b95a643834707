// Evidence files for a step (images or PDF): each sent as it is to POST /api/v1/evidence, which
// answers with its digest; the step then names the file by that digest, so the recorded event
// points at exactly these bytes.
import { UploadOutlined } from '@ant-design/icons';
import { Button, Upload, type UploadFile, type UploadProps } from 'antd';
import { rawRequest } from '../api/client';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import { ticketTexts } from './texts';

const ACCEPT = 'image/jpeg,image/png,application/pdf';

const upload: UploadProps['customRequest'] = ({ file, onSuccess, onError }) => {
  const blob = file as File;
  rawRequest('/api/v1/evidence', {
    method: 'POST',
    headers: { 'content-type': blob.type || 'application/octet-stream', 'x-hcp-filename': encodeURIComponent(blob.name) },
    body: blob,
  })
    .then((response) => response.json())
    .then((stored: unknown) => onSuccess?.(stored))
    .catch((error: unknown) => onError?.(error instanceof Error ? error : new Error(String(error))));
};

/** A form field (value: the UploadFile list) with a real button to pick files. */
export function EvidenceUpload({ id, value, onChange }: { id?: string; value?: UploadFile[]; onChange?: (files: UploadFile[]) => void }) {
  const t = useTexts(ticketTexts);
  const { lang } = useLang();
  // A refused file (wrong type, too large) is said in words, not only by the list's red mark.
  const failed = (value ?? []).filter((file) => file.status === 'error');
  return (
    <>
      <Upload
        accept={ACCEPT}
        multiple
        fileList={value ?? []}
        customRequest={upload}
        onChange={({ fileList }) => onChange?.(fileList)}
      >
        <Button id={id} icon={<UploadOutlined aria-hidden />}>
          {t.upload}
        </Button>
      </Upload>
      {failed.length > 0 && (
        <div role="alert" className="hcp-upload-errors">
          {failed.map((file) => (
            <p key={file.uid}>{fill(t.uploadFailed, { name: file.name, error: errorText(file.error, lang) })}</p>
          ))}
        </div>
      )}
    </>
  );
}
