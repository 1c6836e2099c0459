/** The two IPC channels of the desktop app: every call goes through one, every push batch through the other. */
export const IPC_CALL_CHANNEL = 'hubwatch:call';
export const IPC_PUSH_CHANNEL = 'hubwatch:push';
