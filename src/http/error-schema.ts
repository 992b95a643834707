import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    code: Type.String({ description: '稳定错误码 / stable machine code, see docs/errors.md' }),
    message: Type.String({ description: '中文说明' }),
    messageEn: Type.String({ description: 'English message' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
);

/** Responses every route may give besides its own: validation, auth, and server errors. */
export const commonErrorResponses = {
  '4xx': Type.Ref('ErrorResponse'),
  '5xx': Type.Ref('ErrorResponse'),
};
