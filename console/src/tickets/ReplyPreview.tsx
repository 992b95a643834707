// The SMS the rater will get with this answer, as the server will send it (the one template),
// asked for a moment after typing stops.
import { useQuery } from '@tanstack/react-query';
import { Form, type FormInstance } from 'antd';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import { ticketTexts } from './texts';

const DEBOUNCE_MS = 400;

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function ReplyPreview({ id, ticketId, form }: { id: string; ticketId: string; form: FormInstance<{ text?: string }> }) {
  const t = useTexts(ticketTexts);
  const { lang } = useLang();
  const typed: string | undefined = Form.useWatch('text', form);
  const text = useDebounced((typed ?? '').trim(), DEBOUNCE_MS);
  const preview = useQuery({
    queryKey: ['tickets', 'reply-preview', ticketId, text],
    queryFn: () => unwrap(api.POST('/api/v1/tickets/{id}/reply-preview', { params: { path: { id: ticketId } }, body: { text } })),
    enabled: text.length >= 2,
    staleTime: 60_000,
    placeholderData: (previous) => previous,
  });
  return (
    <div id={id} className="hcp-gap" aria-live="polite">
      <div className="hcp-event-head">{t.smsPreview}</div>
      {text.length < 2 ? (
        <p className="hcp-muted">{t.smsTyping}</p>
      ) : preview.error ? (
        <p role="alert">{errorText(preview.error, lang)}</p>
      ) : preview.data ? (
        <>
          <p className="hcp-sms" data-testid="sms-preview">{preview.data.sms}</p>
          <p className="hcp-small">{fill(t.smsCount, { characters: preview.data.characters, segments: preview.data.segments })}</p>
          {!preview.data.smsSent && <p className="hcp-small">{t.smsNotSent}</p>}
        </>
      ) : null}
    </div>
  );
}
