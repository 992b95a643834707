// Ticket states in which someone still has to act (verify, rectify, decide or reply): the "open"
// tickets of the home page. Replied tickets wait for the rater's callback; closed ones are done.
export const ACTIVE_STATES = ['open', 'verifying', 'rectifying', 'appealing', 'cannot_fix_requested', 'cannot_fix_approved'] as const;
