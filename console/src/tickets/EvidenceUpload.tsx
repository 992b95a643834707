// Evidence files for a step (images or PDF): each sent as it is to POST /api/v1/evidence, which
// answers with its digest; the step then names the file by that digest, so the recorded event
// points at exactly these bytes.
import { UploadOutlined } from '@ant-design/icons';
import { Button, Upload, type UploadFile, type UploadProps } from 'antd';
import { rawRequest } from '../api/client';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import type { StepAttachment } from './model';
import { ticketTexts } from './texts';

interface Stored {
  digest: string;
  name: string;
}

const ACCEPT = 'image/jpeg,image/png,application/pdf';

function isStored(value: unknown): value is Stored {
  return typeof value === 'object' && value !== null && typeof (value as Stored).digest === 'string' && typeof (value as Stored).name === 'string';
}

/** The uploaded files as a step's attachments (files still uploading or failed are left out). */
export function attachmentsOf(files: UploadFile[] | undefined): StepAttachment[] {
  return (files ?? []).flatMap((file) => (file.status === 'done' && isStored(file.response) ? [{ evidence: file.response.digest, name: file.response.name }] : []));
}

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
  return (
    <Upload
      accept={ACCEPT}
      multiple
      fileList={value ?? []}
      customRequest={upload}
      onChange={({ fileList }) =>
        onChange?.(
          fileList.map((file) => (file.status === 'error' && file.error ? { ...file, response: fill(t.uploadFailed, { name: file.name, error: errorText(file.error, lang) }) } : file)),
        )
      }
    >
      <Button id={id} icon={<UploadOutlined aria-hidden />}>
        {t.upload}
      </Button>
    </Upload>
  );
}
