// The ledger format, pinned: fixed rows, their canonical form and their chain hashes written out as
// literals. Every stored hash depends on this format, so any change to it (field order, encoding,
// how the previous hash is linked in) must fail here before it breaks `verify` on real data.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sm4Open } from '../crypto/sm.ts';
import { lookupHash } from '../pii/vault.ts';
import { testConfig } from '../../test/config.ts';
import { canonicalRecord, chainHash, GENESIS_HASH, transportRecord, type LedgerRecord } from './canonical.ts';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

// A named rater whose identity is sealed (SM4 with the development key, bound to the row id), with
// a comment that carries quotes, a backslash, a newline and an emoji.
const sealedRater: LedgerRecord = {
  id: '019a8b7c-0000-7000-8000-000000000001',
  chain_id: 7,
  seq: 1,
  receipt_no: 'R20261118000001',
  received_at: new Date('2026-11-18T02:03:04.567Z'),
  assessed_at: new Date('2026-11-18T02:00:00.000Z'),
  assessed_day: '2026-11-18',
  subject: 'case_stage',
  case_stage_id: '019a8b7c-1111-7000-8000-000000000001',
  case_id: '019a8b7c-2222-7000-8000-000000000001',
  project_no: '510104-20261118-000123',
  service_number: 1,
  assess_number: 1,
  level: 2,
  indicator_version: '2026.1',
  indicator_codes: ['505', '509'],
  comment: '窗口说"材料不全"，让我明天再来\\重跑一趟 😡\n第二行',
  channel: 'mobile',
  is_default: false,
  is_anonymous: false,
  region_code: '510104',
  org_id: '019a8b7c-3333-7000-8000-000000000001',
  item_id: '019a8b7c-4444-7000-8000-000000000001',
  window_id: '019a8b7c-5555-7000-8000-000000000001',
  staff_id: '019a8b7c-6666-7000-8000-000000000001',
  user_prop: 1,
  rater_pii: bytes(
    '010602867b4665d10cd98539633ca15f141020cd356347cefe5142b0951d911c9dd983836e764958abdbd96800d0732f7b634a0115f3a105d48ac725c085870370a67d9605d38aedb0cc62c43219afd354dbef0881165b9b0144ab75ba0f04804e1ebea8e6b049ca3849c7a23034bcb553',
  ),
  rater_pii_key_id: 'dev1',
  // Keys in another order than the canonical one: jsonb does not keep them.
  rater_masked: { phone: '138****5678', certNo: '5101**********002X', name: '张**' },
  rater_phone_lookup: bytes('9a8be0806d9a5d5b7e8e5e60abc0fe99f4643d7f97c92d8548ff15172c8e0e8e'),
  rater_cert_lookup: bytes('4cd7f1bf30b69c9812fe9c7448d9f7f9fcf611721a57ffba21d192815781ed11'),
  source_app: 'app-chengdu',
  client_id: 'client-"1"',
};

// An anonymous rating of a window: every optional column null.
const anonymousWindow: LedgerRecord = {
  id: '019a8b7c-0000-7000-8000-000000000002',
  chain_id: 7,
  seq: 2,
  receipt_no: 'R20261118000002',
  received_at: new Date('2026-11-18T16:00:00.000Z'),
  assessed_at: new Date('2026-11-18T15:59:59.999Z'),
  assessed_day: '2026-11-18',
  subject: 'window',
  case_stage_id: null,
  case_id: null,
  project_no: null,
  service_number: null,
  assess_number: 1,
  level: 5,
  indicator_version: '2026.1',
  indicator_codes: [],
  comment: null,
  channel: 'qr',
  is_default: false,
  is_anonymous: true,
  region_code: '510104',
  org_id: '019a8b7c-3333-7000-8000-000000000001',
  item_id: null,
  window_id: '019a8b7c-5555-7000-8000-000000000001',
  staff_id: null,
  user_prop: null,
  rater_pii: null,
  rater_pii_key_id: null,
  rater_masked: null,
  rater_phone_lookup: null,
  rater_cert_lookup: null,
  source_app: 'public',
  client_id: null,
};

// A follow-up by hotline from a rater who gave a phone number only: a masked person with one field.
const phoneOnly: LedgerRecord = {
  ...sealedRater,
  id: '019a8b7c-0000-7000-8000-000000000003',
  seq: 3,
  receipt_no: 'R20261119000003',
  received_at: new Date('2026-11-19T00:00:00.001Z'),
  assessed_at: new Date('2026-11-19T00:00:00.000Z'),
  assessed_day: '2026-11-19',
  assess_number: 2,
  level: 3,
  indicator_codes: ['301'],
  comment: '',
  channel: 'hotline',
  rater_pii: bytes('01f41d29ba55cf5c0fd94aa78e113238ce9c4f33d7f909371306f75a975e35585f62fd47c1192dc99f77a979c0d88630035bb109047e391e148fca4edb51ed06cf00f01f3cc570f2ff9d2a6ed2b3142769'),
  rater_masked: { phone: '139****5678' },
  rater_phone_lookup: bytes('308e4405ea8839a4f2b919b9cc5e65beb83f6414329b3fa7ecadade365d85309'),
  rater_cert_lookup: null,
  client_id: null,
};

// The canonical text of each row, character for character (String.raw: backslashes as written).
const CANONICAL = [
  String.raw`[1,"019a8b7c-0000-7000-8000-000000000001",7,1,"R20261118000001","2026-11-18T02:03:04.567Z",` +
    String.raw`"2026-11-18T02:00:00.000Z","2026-11-18","case_stage","019a8b7c-1111-7000-8000-000000000001",` +
    String.raw`"019a8b7c-2222-7000-8000-000000000001","510104-20261118-000123",1,1,2,"2026.1",["505","509"],` +
    String.raw`"窗口说\"材料不全\"，让我明天再来\\重跑一趟 😡\n第二行","mobile",false,false,"510104",` +
    String.raw`"019a8b7c-3333-7000-8000-000000000001","019a8b7c-4444-7000-8000-000000000001",` +
    String.raw`"019a8b7c-5555-7000-8000-000000000001","019a8b7c-6666-7000-8000-000000000001",1,` +
    String.raw`"010602867b4665d10cd98539633ca15f141020cd356347cefe5142b0951d911c9dd983836e764958abdbd96800d0732f7b634a0115f3a105d48ac725c085870370a67d9605d38aedb0cc62c43219afd354dbef0881165b9b0144ab75ba0f04804e1ebea8e6b049ca3849c7a23034bcb553",` +
    String.raw`"dev1",["张**","138****5678","5101**********002X"],` +
    String.raw`"9a8be0806d9a5d5b7e8e5e60abc0fe99f4643d7f97c92d8548ff15172c8e0e8e",` +
    String.raw`"4cd7f1bf30b69c9812fe9c7448d9f7f9fcf611721a57ffba21d192815781ed11","app-chengdu","client-\"1\""]`,
  String.raw`[1,"019a8b7c-0000-7000-8000-000000000002",7,2,"R20261118000002","2026-11-18T16:00:00.000Z",` +
    String.raw`"2026-11-18T15:59:59.999Z","2026-11-18","window",null,null,null,null,1,5,"2026.1",[],null,"qr",` +
    String.raw`false,true,"510104","019a8b7c-3333-7000-8000-000000000001",null,` +
    String.raw`"019a8b7c-5555-7000-8000-000000000001",null,null,null,null,null,null,null,"public",null]`,
  String.raw`[1,"019a8b7c-0000-7000-8000-000000000003",7,3,"R20261119000003","2026-11-19T00:00:00.001Z",` +
    String.raw`"2026-11-19T00:00:00.000Z","2026-11-19","case_stage","019a8b7c-1111-7000-8000-000000000001",` +
    String.raw`"019a8b7c-2222-7000-8000-000000000001","510104-20261118-000123",1,2,3,"2026.1",["301"],"","hotline",` +
    String.raw`false,false,"510104","019a8b7c-3333-7000-8000-000000000001","019a8b7c-4444-7000-8000-000000000001",` +
    String.raw`"019a8b7c-5555-7000-8000-000000000001","019a8b7c-6666-7000-8000-000000000001",1,` +
    String.raw`"01f41d29ba55cf5c0fd94aa78e113238ce9c4f33d7f909371306f75a975e35585f62fd47c1192dc99f77a979c0d88630035bb109047e391e148fca4edb51ed06cf00f01f3cc570f2ff9d2a6ed2b3142769",` +
    String.raw`"dev1",[null,"139****5678",null],"308e4405ea8839a4f2b919b9cc5e65beb83f6414329b3fa7ecadade365d85309",` +
    String.raw`null,"app-chengdu",null]`,
];
const HASHES = [
  'dd27f1ed1378f50b91222bf312e89b98b74252db8b189ebe1961c26c798a0534',
  'a4ded9381a675d64918d0803ba52733f44814bb07437cce3f55c5830b2e0ccb9',
  'dca80cf5770619e55d7e23fc9e423b782cfce4faffd8e2768eee79846a0245e4',
];

const rows = [sealedRater, anonymousWindow, phoneOnly];

describe('ledger format version 1', () => {
  it('writes each row in its canonical form', () => {
    expect(rows.map(canonicalRecord)).toEqual(CANONICAL);
  });

  it('chains the rows: hash = SM3(canonical ‖ previous hash), 32 zero bytes before the first', () => {
    let previous: Uint8Array = GENESIS_HASH;
    const hashes: string[] = [];
    for (const row of rows) {
      const hash = chainHash(row, previous);
      hashes.push(hash.toString('hex'));
      previous = hash;
    }
    expect(hashes).toEqual(HASHES);
    // The same link computed apart from the code under test, from the pinned canonical text.
    expect(createHash('sm3').update(CANONICAL[1] ?? '').update(Buffer.from(HASHES[0] ?? '', 'hex')).digest('hex')).toBe(HASHES[1]);
    expect(GENESIS_HASH.equals(Buffer.alloc(32))).toBe(true);
  });

  it('sends a row as its canonical array with the hash appended', () => {
    const hash = Buffer.from(HASHES[0] ?? '', 'hex');
    expect(JSON.parse(transportRecord(CANONICAL[0] ?? '', hash))).toEqual([...(JSON.parse(CANONICAL[0] ?? '') as unknown[]), HASHES[0]]);
  });

  it('holds a real sealed identity in the fixture (the development key opens it for its row only)', () => {
    const config = testConfig();
    const key = config.pii.keys[0]?.key ?? Buffer.alloc(0);
    const sealed = sealedRater.rater_pii ?? new Uint8Array();
    expect(JSON.parse(sm4Open(key, sealed, sealedRater.id).toString('utf8'))).toEqual(['张晓梅', '13812345678', '51010419800101002X']);
    expect(() => sm4Open(key, sealed, anonymousWindow.id)).toThrow();
    expect(lookupHash(config, 'phone', '13812345678').equals(Buffer.from(sealedRater.rater_phone_lookup ?? []))).toBe(true);
  });
});
