// The OpenAPI 3 document served at GET /openapi.json; the same text is checked in as api/openapi.json
// (a test keeps the two identical).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "trm serve",
    "version": "0.1.0",
    "description": "Solve Sudoku, mazes and grid tasks with a Tiny Recursive Model. Concurrent requests share model batches (continuous batching). Every error is JSON {\"error\", \"reason\"}. The verdict comes from an exact validator, not from the model."
  },
  "paths": {
    "/v1/solve": {
      "get": {"summary": "Not allowed: 405 with an error saying to use POST", "responses": {"405": {"$ref": "#/components/responses/Error"}}},
      "post": {
        "summary": "Solve one puzzle",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SolveRequest"}}}},
        "responses": {
          "200": {"description": "The answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SolveResponse"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"},
          "504": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/solve/batch": {
      "get": {"summary": "Not allowed: 405 with an error saying to use POST", "responses": {"405": {"$ref": "#/components/responses/Error"}}},
      "post": {
        "summary": "Solve several puzzles (at most 64); each result carries its own status",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "type": "object", "required": ["requests"],
          "properties": {"requests": {"type": "array", "items": {"$ref": "#/components/schemas/SolveRequest"}, "minItems": 1, "maxItems": 64}}
        }}}},
        "responses": {
          "200": {"description": "One result per request, in order", "content": {"application/json": {"schema": {
            "type": "object", "required": ["results"],
            "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/BatchItem"}}}
          }}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/models": {
      "get": {
        "summary": "Loaded models",
        "responses": {"200": {"description": "Models", "content": {"application/json": {"schema": {
          "type": "object", "properties": {"models": {"type": "array", "items": {"$ref": "#/components/schemas/ModelInfo"}}}
        }}}}}
      }
    },
    "/healthz": {
      "get": {"summary": "Liveness", "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"status": {"type": "string"}, "models": {"type": "string"}}}}}}}}
    },
    "/metrics": {
      "get": {"summary": "Prometheus metrics (text exposition 0.0.4)", "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}
    },
    "/openapi.json": {
      "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "/": {
      "get": {"summary": "Web page: enter a puzzle and watch the model refine it", "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}}
    }
  },
  "components": {
    "responses": {
      "Error": {"description": "Error with a reason", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "SolveRequest": {
        "type": "object", "required": ["kind"],
        "properties": {
          "kind": {"type": "string", "enum": ["sudoku", "maze", "grid", "arc"]},
          "puzzle": {"type": "string", "description": "Sudoku: 81 characters, digits and . or 0 for blanks (whitespace and |+- ignored). Maze: rows joined by newlines. Grid: JSONL example line (header optional when the model knows it). ARC: task JSON."},
          "grid": {"type": "array", "items": {"type": "string"}, "description": "The puzzle as rows (maze: '#' wall, ' ' open, 'S' start, 'G' goal)."},
          "max_steps": {"type": "integer", "minimum": 1, "maximum": 256, "description": "Supervision steps at most (test-time depth, also beyond the training limit); default the model's training limit."},
          "halt_threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5, "description": "Stop once sigmoid(q_halt) exceeds this; 1 runs every step."},
          "return_steps": {"type": "boolean", "default": false, "description": "Include every step's grid."},
          "tries": {"type": "integer", "minimum": 1, "maximum": 16, "default": 1, "description": "Sudoku and mazes: tries in all. While the verdict is not valid, another version of the puzzle (Sudoku: digits relabelled, lines permuted, transposed; maze: rotated or mirrored) is solved and its answer read back."}
        }
      },
      "SolveResponse": {
        "type": "object",
        "required": ["kind", "model", "question", "answer", "steps_used", "halted", "halt_confidence", "verdict", "timing"],
        "properties": {
          "kind": {"type": "string"},
          "model": {"type": "string"},
          "question": {"type": "array", "items": {"type": "string"}},
          "answer": {"type": "array", "items": {"type": "string"}},
          "steps_used": {"type": "integer"},
          "halted": {"type": "boolean", "description": "True when the halting head stopped the recursion, false when the step limit did."},
          "halt_confidence": {"type": "array", "items": {"type": "number"}, "description": "sigmoid(q_halt) after each step."},
          "verdict": {"$ref": "#/components/schemas/Verdict"},
          "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}},
          "timing": {"type": "object", "properties": {"queue_ms": {"type": "number"}, "compute_ms": {"type": "number"}, "total_ms": {"type": "number"}}},
          "tries": {"type": "integer", "description": "With tries > 1: the try whose answer this is (1: the puzzle as given; the last try when none passed)."}
        }
      },
      "Step": {
        "type": "object", "required": ["step", "grid", "changed", "halt_confidence"],
        "properties": {
          "step": {"type": "integer"},
          "grid": {"type": "array", "items": {"type": "string"}},
          "changed": {"type": "array", "items": {"type": "integer"}, "description": "Row-major indices of cells that changed since the previous step."},
          "halt_confidence": {"type": "number"}
        }
      },
      "Verdict": {
        "type": "object", "required": ["status", "validator"],
        "properties": {
          "status": {"type": "string", "enum": ["valid", "invalid", "unchecked"]},
          "reason": {"type": "string"},
          "validator": {"type": "string"}
        }
      },
      "BatchItem": {
        "type": "object", "required": ["status"],
        "properties": {
          "status": {"type": "integer", "description": "200, or the HTTP status this item alone would have had"},
          "result": {"$ref": "#/components/schemas/SolveResponse"},
          "error": {"type": "string"},
          "reason": {"type": "string"}
        }
      },
      "ModelInfo": {
        "type": "object",
        "properties": {
          "name": {"type": "string"}, "kind": {"type": "string"}, "preset": {"type": "string"}, "family": {"type": "string"},
          "parameters": {"type": "integer"}, "cells": {"type": "integer"}, "vocab_size": {"type": "integer"},
          "max_steps": {"type": "integer"}, "max_batch": {"type": "integer"},
          "dtype": {"type": "string", "enum": ["fp32", "bf16"]}
        }
      },
      "Error": {
        "type": "object", "required": ["error", "reason"],
        "properties": {
          "error": {"type": "string", "enum": ["bad_request", "invalid_puzzle", "payload_too_large", "not_found", "overloaded", "timeout", "shutting_down", "internal_error"]},
          "reason": {"type": "string"}
        }
      }
    }
  }
}
"""#
}
