// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- The SMS invitation to rate a case stage: at most one per stage, ever (the primary key). It
-- keeps the keyed hash of the phone it went to, so that an SMS reply from that phone finds it,
-- and the rating link it carried; the phone itself stays sealed in service_case.
CREATE TABLE rating_invitation (
  case_stage_id uuid PRIMARY KEY REFERENCES case_stage (id),
  case_id uuid NOT NULL REFERENCES service_case (id),
  link_id uuid NOT NULL REFERENCES rating_link (id),
  message_id uuid NOT NULL REFERENCES outbound_message (id),
  phone_lookup bytea NOT NULL,
  sent_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX rating_invitation_phone_idx ON rating_invitation (phone_lookup, sent_at DESC);

-- Each SMS that reached the platform through a gateway, once per gateway message id: the
-- idempotency record of the webhook and what was done about it. The text is not kept.
CREATE TABLE hotline_sms (
  source_app text NOT NULL,
  message_id text NOT NULL,
  received_at timestamptz NOT NULL,
  phone_lookup bytea NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('rated', 'invalid', 'no_pending', 'unknown_sender', 'unsubscribed')),
  case_stage_id uuid REFERENCES case_stage (id),
  evaluation_id uuid,
  reply_id uuid REFERENCES outbound_message (id),
  PRIMARY KEY (source_app, message_id)
);
CREATE INDEX hotline_sms_phone_idx ON hotline_sms (phone_lookup, received_at);

-- Phones (keyed hash) that replied T / TD / 退订: no further invitations.
CREATE TABLE sms_opt_out (
  phone_lookup bytea PRIMARY KEY,
  at timestamptz NOT NULL
);

-- The applicant of a case (recipient_id = the case id; the phone is sealed in service_case).
ALTER TABLE outbound_message DROP CONSTRAINT outbound_message_recipient_kind_check;
ALTER TABLE outbound_message ADD CONSTRAINT outbound_message_recipient_kind_check CHECK (recipient_kind IN ('rater', 'account', 'applicant'));
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
ALTER TABLE outbound_message DROP CONSTRAINT outbound_message_recipient_kind_check;
ALTER TABLE outbound_message ADD CONSTRAINT outbound_message_recipient_kind_check CHECK (recipient_kind IN ('rater', 'account'));
DROP TABLE sms_opt_out; DROP TABLE hotline_sms; DROP TABLE rating_invitation;`).execute(db);
}
