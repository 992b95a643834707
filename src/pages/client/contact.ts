// Two pieces every rating screen shares (the rating page, the hall evaluator; the poster page may
// import them too), in one language at a time:
// - contactFields: the anonymous switch, what each choice means for a 差评 (who can answer, who
//   calls back), and the optional phone, sealed on the server and shown masked. Inputs are named
//   `anonymous` and `phone`; refreshContact updates the words and the phone box in place.
// - receiptCard: the receipt number the rater keeps, with a link to its page (a phone) or its QR
//   code drawn by the server (a hall device, so the rater can photograph it).
// Styles: contact.css (imported by rating.css and public.css).
import { byId, h, replaceChildren } from './dom.ts';
import { isBad } from './form.ts';
import { say, type Lang, type TextKey } from './texts.ts';

export interface ContactState {
  level: number | null;
  anonymous: boolean;
  phone: string;
}

/** What the current choice means, in one sentence. */
export function consequenceOf(state: Pick<ContactState, 'level' | 'anonymous'>): TextKey {
  if (isBad(state.level)) return state.anonymous ? 'anonBadOn' : 'anonBadOff';
  return state.anonymous ? 'anonymousHint' : 'anonGoodOff';
}

/**
 * The contact part of a rating form. `withSwitch: false` (a hall device) leaves the switch out:
 * there, leaving a number is the choice not to be anonymous.
 */
export function contactFields(lang: Lang, state: ContactState, options: { withSwitch: boolean } = { withSwitch: true }): HTMLElement {
  const t = (key: TextKey) => say(lang, key);
  const phone = h('input', {
    id: 'phone',
    name: 'phone',
    type: 'tel',
    inputmode: 'tel',
    autocomplete: 'tel',
    maxlength: 20,
    class: 'phone',
    'aria-describedby': 'phone-note phone-err',
  }) as HTMLInputElement;
  phone.value = state.phone;
  const hidden = options.withSwitch && state.anonymous;
  return h(
    'div',
    { class: 'contact' },
    options.withSwitch
      ? h(
          'div',
          { class: 'switch-row' },
          h(
            'label',
            { class: 'switch', for: 'anon' },
            h('input', { type: 'checkbox', role: 'switch', id: 'anon', name: 'anonymous', checked: state.anonymous, 'aria-describedby': 'anon-hint' }),
            h('span', null, t('anonymous')),
          ),
        )
      : null,
    h('p', { id: 'anon-hint', class: `hint consequence${isBad(state.level) ? ' bad' : ''}`, 'aria-live': 'polite' }, t(consequenceOf(state))),
    h(
      'div',
      { id: 'phone-box', hidden },
      h('label', { for: 'phone', class: 'label' }, t('phone')),
      phone,
      h('p', { id: 'phone-note', class: 'hint' }, t('phoneSealed')),
      h('p', { id: 'phone-err', class: 'err' }),
    ),
  );
}

/** After the switch or the level changed: the words and the phone box, without redrawing the form. */
export function refreshContact(lang: Lang, state: ContactState, withSwitch = true): void {
  const hint = byId('anon-hint');
  if (hint) {
    hint.className = `hint consequence${isBad(state.level) ? ' bad' : ''}`;
    replaceChildren(hint, [say(lang, consequenceOf(state))]);
  }
  const box = byId('phone-box');
  if (box) box.hidden = withSwitch && state.anonymous;
  const toggle = byId<HTMLInputElement>('anon');
  if (toggle) toggle.checked = state.anonymous;
}

export interface ReceiptOptions {
  /** A 差评 given anonymously: the receipt is the only way to the answer, and the card says so. */
  anonymousBad: boolean;
  /** Draw the receipt page's QR code (a hall device); otherwise link to it (a phone). */
  qr: boolean;
  /** This site's address as people type it (example.gov.cn), for the sentence that says where to look. */
  site: string;
}

export const receiptPath = (receiptNo: string) => '/r/' + encodeURIComponent(receiptNo);

/** The receipt number with what to do with it; the number has id `receipt`. */
export function receiptCard(lang: Lang, receiptNo: string, options: ReceiptOptions): HTMLElement {
  const t = (key: TextKey, values?: Record<string, string>) => say(lang, key, values);
  return h(
    'div',
    { class: 'receipt-card' },
    h('p', { class: 'receipt-label', id: 'receipt-label' }, t('receiptLabel')),
    h('p', { class: 'receipt', id: 'receipt', 'aria-labelledby': 'receipt-label receipt' }, receiptNo),
    options.anonymousBad ? h('p', { class: 'keep', role: 'note' }, t('receiptAnonymousBad')) : h('p', { class: 'hint' }, t('receiptHint')),
    options.qr
      ? h(
          'figure',
          { class: 'receipt-qr' },
          h('img', { src: receiptPath(receiptNo) + '/qr.svg', width: 220, height: 220, alt: t('receiptQrAlt', { site: options.site, no: receiptNo }) }),
          h('figcaption', null, t('receiptQr')),
        )
      : h('p', null, h('a', { href: receiptPath(receiptNo), id: 'receipt-link' }, t('receiptLink'))),
    h('p', { class: 'hint' }, t('receiptWhere', { site: options.site })),
  );
}
