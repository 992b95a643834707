import { Typography } from 'antd';
import { useSession } from '../auth/session';

export function HomePage() {
  const session = useSession();
  return <Typography.Title level={1}>{session.data?.account.displayName}</Typography.Title>;
}
