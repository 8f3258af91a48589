// Small, valid silent audio in each format the speech endpoint offers: WAV and raw PCM, MP3 frames,
// FLAC with constant subframes, Opus in Ogg, and AAC in ADTS frames.
import { silentWav } from './wav.js';

/** The `response_format` values of `POST /v1/audio/speech`. */
export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

/** One of {@link SPEECH_FORMATS}. */
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

/** The content type OpenAI sends with each speech format. */
export const SPEECH_CONTENT_TYPES: Readonly<Record<SpeechFormat, string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

const SAMPLE_RATE = 24_000;

/** `seconds` of silence encoded as `format`. */
export function silentAudio(format: SpeechFormat, seconds: number): Buffer {
  switch (format) {
    case 'wav':
      return silentWav(seconds, SAMPLE_RATE);
    case 'pcm':
      // OpenAI's pcm: raw 24 kHz, 16-bit signed little-endian, mono samples.
      return Buffer.alloc(Math.max(1, Math.round(seconds * SAMPLE_RATE)) * 2);
    case 'mp3':
      return silentMp3(seconds);
    case 'flac':
      return silentFlac(seconds);
    case 'opus':
      return silentOggOpus(seconds);
    case 'aac':
      return silentAdts(seconds);
  }
}

// MPEG-1 Layer III, 128 kb/s, 44.1 kHz, mono, no CRC: 417-byte frames of 1152 samples. All-zero side info
// and main data decode as silence.
function silentMp3(seconds: number): Buffer {
  const frameBytes = 417;
  const frames = Math.max(1, Math.ceil((seconds * 44_100) / 1152));
  const mp3 = Buffer.alloc(frames * frameBytes);
  for (let i = 0; i < frames; i += 1) mp3.set([0xff, 0xfb, 0x90, 0xc4], i * frameBytes);
  return mp3;
}

// AAC-LC, 24 kHz, mono, in ADTS frames of 1024 samples; the raw frame is what an encoder emits for silence.
function silentAdts(seconds: number): Buffer {
  const frame = Buffer.from([0xff, 0xf1, 0x58, 0x40, 0x01, 0x7f, 0xfc, 0x01, 0x18, 0x20, 0x07]);
  const frames = Math.max(1, Math.ceil((seconds * SAMPLE_RATE) / 1024));
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

// FLAC, 24 kHz, mono, 16-bit, fixed 4096-sample blocks, each one CONSTANT subframe of 0.
function silentFlac(seconds: number): Buffer {
  const block = 4096;
  const frames = Math.max(1, Math.ceil((seconds * SAMPLE_RATE) / block));
  const info = Buffer.alloc(4 + 34);
  info[0] = 0x80; // last metadata block, type STREAMINFO
  info.writeUIntBE(34, 1, 3);
  info.writeUInt16BE(block, 4);
  info.writeUInt16BE(block, 6);
  // min/max frame size unknown (0); then 20 bits rate, 3 bits channels-1, 5 bits bps-1, 36 bits total samples.
  const total = BigInt(frames * block);
  const packed = (BigInt(SAMPLE_RATE) << 44n) | (0n << 41n) | (15n << 36n) | total;
  info.writeBigUInt64BE(packed, 14);
  const out = [Buffer.from('fLaC', 'latin1'), info];
  for (let n = 0; n < frames; n += 1) {
    const header = Buffer.from([0xff, 0xf8, 0xc7, 0x08, ...utf8Number(n)]);
    const withCrc8 = Buffer.concat([header, Buffer.from([crc8(header)])]);
    const frame = Buffer.concat([withCrc8, Buffer.from([0x00, 0x00, 0x00])]);
    const crc = Buffer.alloc(2);
    crc.writeUInt16BE(crc16(frame));
    out.push(frame, crc);
  }
  return Buffer.concat(out);
}

// FLAC codes frame numbers like UTF-8 code points.
function utf8Number(n: number): number[] {
  return [...Buffer.from(String.fromCodePoint(n), 'utf8')];
}

function crc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

// Opus, mono, in Ogg: the OpusHead and OpusTags pages, then one page of 20 ms silent CELT packets.
function silentOggOpus(seconds: number): Buffer {
  const serial = 0x6d6f636b; // "mock"
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(SAMPLE_RATE, 12);
  const vendor = Buffer.from('switchyard-mock', 'latin1');
  const tags = Buffer.concat([Buffer.from('OpusTags', 'latin1'), u32le(vendor.length), vendor, u32le(0)]);
  const packets = Math.min(255, Math.max(1, Math.ceil(seconds * 50)));
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  const audio = Array.from({ length: packets }, () => silence);
  return Buffer.concat([
    oggPage(serial, 0, 0x02, 0n, [head]),
    oggPage(serial, 1, 0x00, 0n, [tags]),
    oggPage(serial, 2, 0x04, BigInt(preSkip + packets * 960), audio),
  ]);
}

function oggPage(serial: number, sequence: number, flags: number, granule: bigint, packets: readonly Buffer[]): Buffer {
  const lacing: number[] = [];
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigUInt64LE(granule, 6);
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  const page = Buffer.concat([header, Buffer.from(lacing), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

// Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial 0, over the page with its CRC field zeroed.
function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function u32le(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}
