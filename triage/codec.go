package triage

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// modelMagic opens every model file; the digit is the format version.
// Version 2 holds two anger thresholds (English, Chinese); version 1 one.
const (
	modelMagic   = "DPTRIAGE2\n"
	modelMagicV1 = "DPTRIAGE1\n"
)

// maxModelRows bounds the vocabulary a model file may declare.
const maxModelRows = 1 << 22

// Load reads a model written by WriteModel.
func Load(r io.Reader) (*Classifier, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("triage: model: %w", err)
	}
	br := bufio.NewReaderSize(zr, 1<<16)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic && string(magic) != modelMagicV1 {
		return nil, errors.New("triage: model: not a triage model file")
	}
	cuts := 2
	if string(magic) == modelMagicV1 {
		cuts = 1
	}
	version, err := readString(br)
	if err != nil {
		return nil, err
	}
	for _, labels := range headLabels() {
		n, err := binary.ReadUvarint(br)
		if err != nil || int(n) != len(labels) {
			return nil, errors.New("triage: model: labels do not match this build")
		}
		for _, want := range labels {
			got, err := readString(br)
			if err != nil || got != want {
				return nil, fmt.Errorf("triage: model: label %q does not match this build", got)
			}
		}
	}
	rows, err := binary.ReadUvarint(br)
	if err != nil || rows > maxModelRows {
		return nil, errors.New("triage: model: bad vocabulary size")
	}
	floats := make([]float32, 2*numOutputs+cuts)
	for i := range floats {
		var u uint32
		if err := binary.Read(br, binary.LittleEndian, &u); err != nil {
			return nil, fmt.Errorf("triage: model: %w", err)
		}
		floats[i] = math.Float32frombits(u)
	}
	keys := make([]uint64, rows)
	if err := binary.Read(br, binary.LittleEndian, keys); err != nil {
		return nil, fmt.Errorf("triage: model: %w", err)
	}
	weights := make([]int8, int(rows)*numOutputs)
	if err := binary.Read(br, binary.LittleEndian, weights); err != nil {
		return nil, fmt.Errorf("triage: model: %w", err)
	}
	index := make(map[uint64]int32, rows)
	for i, k := range keys {
		index[k] = int32(i)
	}
	scale, bias := floats[:numOutputs], floats[numOutputs:2*numOutputs]
	cut := [2]float32{floats[2*numOutputs], floats[len(floats)-1]}
	return &Classifier{m: newModel(version, index, weights, scale, bias, cut)}, nil
}

// WriteModel writes the classifier's model in the format Load reads.
func (c *Classifier) WriteModel(w io.Writer) error {
	m := c.m
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	bw.WriteString(modelMagic)
	writeString(bw, m.version)
	for _, labels := range headLabels() {
		writeUvarint(bw, uint64(len(labels)))
		for _, l := range labels {
			writeString(bw, l)
		}
	}
	keys := make([]uint64, len(m.index))
	for k, row := range m.index {
		keys[row] = k
	}
	writeUvarint(bw, uint64(len(keys)))
	floats := append(append(append([]float32{}, m.scale...), m.bias...), m.angerCut[:]...)
	for _, f := range floats {
		binary.Write(bw, binary.LittleEndian, math.Float32bits(f))
	}
	binary.Write(bw, binary.LittleEndian, keys)
	binary.Write(bw, binary.LittleEndian, m.weights)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func readString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<10 {
		return "", errors.New("triage: model: bad string")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("triage: model: %w", err)
	}
	return string(b), nil
}

func writeString(w *bufio.Writer, s string) {
	writeUvarint(w, uint64(len(s)))
	w.WriteString(s)
}

func writeUvarint(w *bufio.Writer, v uint64) {
	var b [binary.MaxVarintLen64]byte
	w.Write(b[:binary.PutUvarint(b[:], v)])
}
